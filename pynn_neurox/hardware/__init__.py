"""Hardware targets: a chip description and the network description, through
check → quantize → place → program, run by a tick-exact emulator."""
