"""The custom menu as data (menu.toml) and the click keys shared with the router."""
