"""The main window: its shell and first frame, the form, the job panel, banner, keyboard panes, and the Studio that runs it all."""
