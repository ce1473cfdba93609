"""Alumni circles (校友圈, issue 24): class circles that are there by themselves, interest circles
alumni propose and staff approve, members who list each other under the directory's privacy
rules, and circle admins whose short notices reach members through the push outbox."""
