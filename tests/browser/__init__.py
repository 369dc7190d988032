"""The browser suite: a student's session in JupyterLab and Voila, driven in headless Chromium.

A package, so that its conftest.py does not clash with tests/conftest.py under
--doctest-modules (both would otherwise be imported as the module ``conftest``).
"""
