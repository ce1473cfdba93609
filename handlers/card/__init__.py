"""The electronic alumni card (校友卡): a card image for bound alumni, a minute code for campus
sites to check (docs/card.md).

- `render`: the card's face as a PNG (school, name, degrees; never phone or e-mail), drawn with a
  CJK font `fonts` finds (or start-up stops, naming `card.font_path`).
- `codes`: the card code, `AC1.<user>.<minute>.<mac>.<tag>`, its tag signed over the holder's bindings, so an
  unbind or a new binding voids every code at once.
- `sites`: the per-site keys staff issue (hashed, shown once, revocable); `verify`: what a site's
  check answers, audited.
- `bot`: the `校友卡` command.
"""
