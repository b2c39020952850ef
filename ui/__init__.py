"""The inspector's window (PySide6). Widgets and Qt models only: the store in ``inspector`` is the truth."""

from ui.pyside_fix import protect_singletons

# Before any window exists: PySide6 6.12.0 on Python 3.11 would otherwise crash the process
# after some thousands of ordinary calls (see ui/pyside_fix.py).
protect_singletons()
