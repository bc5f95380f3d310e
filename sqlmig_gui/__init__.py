"""sqlmig's PySide6 desktop application (``sqlmig-gui``); the demo builder needs no Qt."""
