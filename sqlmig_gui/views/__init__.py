"""The window's views and flows, one module each, registered by `sqlmig_gui.main_window`.

A view shows one kind of engine result in a tab (`pending_view`, `history_view`, `tables_view`);
a flow runs one user action from its menu entry to its result (`opening`, `upgrade_flow`,
`after_run`, `recover_flow`, `backup_folder`). Each listens to the controller through its own
`Subscriptions` and adds its actions to the window's `WindowActions`; a new view is a new module
here plus one line in `MainWindow._build_views`.
"""
