"""Alumni mentors (校友导师, docs/mentors.md): bound alumni offer to mentor (industry, city, topics,
the contact they share, a monthly cap); bound alumni find them and ask; only after the mentor
accepts do both sides see each other's contact choice.

- `offers`: becoming a mentor, pausing, withdrawing; `listing`: finding mentors (隐私 隐藏 hides a
  mentor too); `requests`: asking, accepting, declining, withdrawing, each told to the other side
  through the push outbox; `quota`: the caps; `contact`: what contact one shares.
- `bot`: the commands; `stats`: the dashboard's numbers; `demo`: the demo's mentors.
"""
