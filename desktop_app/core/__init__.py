"""Qt-free domain: validation, journal, image cache and checks, export."""
