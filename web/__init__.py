"""The pages, one package per audience: `clinic` (clinicians, /clinic/), `coach` (/coach/), `me` (the athlete's
phone, /me/) and `common` (pages every role has: home, notifications, notes, account). URL prefix = package =
template folder. Views and forms only: reads go through the domain apps' selectors, writes through their services.
"""
