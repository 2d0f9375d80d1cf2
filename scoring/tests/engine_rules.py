"""The default rulebook as the engine's values, for the engine and ladder tests."""



from scoring import engine
from scoring.defaults import default_rules


def rulebook(**changes) -> engine.Rulebook:
    """The default rulebook as engine values; ``changes``: points by label."""
    rules = []
    for i, row in enumerate(default_rules(), start=1):
        rules.append(engine.Rule(id=i, fact=row["fact"], outcome=row["outcome"],
                                 points=changes.get(row["label"], row["points"]),
                                 kinds=frozenset(row.get("kinds", ())), stars_min=row.get("stars_min", 1),
                                 stars_max=row.get("stars_max", 5), reach=row.get("reach", "person"),
                                 term_cap=row.get("term_cap")))
    return engine.Rulebook(rules)


RB = rulebook()
