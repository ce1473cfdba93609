"""Feature code: per feature, service functions (Session + plain values) and the bot's handlers."""
