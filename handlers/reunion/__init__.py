"""Class reunions (秩年返校): the anniversary rule, the yearly invitation, with issue 5 bookings."""

# The yearly invitation (outreach.py) asks each anniversary class to send 「返校」. Until
# bookings exist (issue 21) that word only says the feature is coming, so the invitation is not
# scheduled; the booking feature turns this on when it routes 返校 to real handlers.
BOOKINGS_OPEN = False
