"""The bot's conversation: the routing table (routes.py), the router and dialog state."""
