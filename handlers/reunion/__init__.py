"""Class reunions (秩年返校): the anniversary rule, the yearly invitation, with issue 5 bookings."""

# The yearly invitation (outreach.py) asks each anniversary class to send 「返校」, which leads to
# a booking since issue 21; so the invitation is scheduled, with the reminders and the thanks
# (scheduler.jobs). False would keep every reunion job off the scheduler's list.
BOOKINGS_OPEN = True
