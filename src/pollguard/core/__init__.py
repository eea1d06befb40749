"""Pure-Python core: election package, risk, planning, routing and Arabic text.

Never imports Django; usable as a library and from the CLI without a database.
"""
