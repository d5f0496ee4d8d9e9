"""Program: a mapped network as the integers a chip is loaded with."""
