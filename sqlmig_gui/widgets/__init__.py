"""Small reusable widgets: state badge, SQL view with highlighting, log view."""
