"""The bundled agent-world migrations (data package ``sqlmig_migrations``, read with
importlib.resources), and the app's legacy schema (`legacy_schema`) with the demo file built from
it (`demo`). The catalog reads only the ``*.sql`` files here."""
