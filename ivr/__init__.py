"""ivr: phone voice menus as YAML state machines — run them, measure them, audit them."""
__version__ = "0.1.0"
