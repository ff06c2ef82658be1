"""The operator's tools: what a person runs, never what Lambda runs.

`python -m custom_channel.operator` (or `custom-channel`, once the package is installed):
`invoke` runs the handler once on an event file (local.py), `resend` delivers again what the
failure queue holds (resend.py). This sub-package imports the runtime
(the rest of custom_channel); the runtime never imports it, and the Lambda zip does not carry
it (tools/build_package.py).
"""
