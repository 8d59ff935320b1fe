from runstrength.cli import entry_point

entry_point()
