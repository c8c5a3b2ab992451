"""Real-browser tests (JupyterLab and Voila); a package so that its conftest does not shadow tests/conftest.py."""
