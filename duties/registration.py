"""What the duty engine adds to the shared pages (found by orgs.modules.discover): the to-do at the top of the
home page, and the duties page on the school admin's card. It belongs to no module: every school has it."""
