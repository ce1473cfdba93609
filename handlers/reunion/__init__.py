"""Class reunions (秩年返校): the anniversary rule and, with issue 5, bookings."""
