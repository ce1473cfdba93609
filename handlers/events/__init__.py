"""Alumni events (校友活动): browsing, sign-up with seats and a waitlist, check-in, reminders (issue 22)."""
