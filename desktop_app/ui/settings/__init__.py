"""The settings dialog and its sections: Pixii key, Amazon, image hosting."""
