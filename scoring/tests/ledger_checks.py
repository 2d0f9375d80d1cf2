"""The ledger and the scores as stored, and as the engine computes them from scratch over the term's facts:
the checks that an incremental sync ended where a full recomputation would."""



from attendance.models import Attendance
from orgs.calendar import local_date
from scoring import engine, facts, services
from scoring.models import LedgerEntry, MemberScore, TermRulebook


def _stored(org, term):
    return sorted((e.person_id, e.rule_id, e.fact_type, e.fact_key, e.points, e.on)
                  for e in LedgerEntry.objects.filter(organisation=org, term=term))


def _from_scratch(org, term, now):
    """The engine over the term's facts, with every mark read plainly (facts.load sends present marks only as
    who was expected when: this checks that shortcut too)."""
    rulebook = services.engine_rulebook(TermRulebook.objects.get(organisation=org, term=term).rulebook)
    term_facts = facts.load(organisation_id=org.pk, term=term)
    term_facts.marks = [engine.Mark(*row) for row in Attendance.objects.filter(
        meeting_id__in=list(term_facts.sessions)).order_by("meeting_id", "pk").values_list(
        "pk", "person_id", "meeting_id", "status")]
    term_facts.expected = []
    entries = engine.compute(term_facts, rulebook, as_of=now, today=local_date(now))
    return sorted((e.person_id, e.rule_id, e.fact_type, e.fact_key, e.points, e.on) for e in entries)


def _stored_scores(org, term):
    return {s.person_id: (s.points, s.entries, (s.lates, s.absences, s.extra_absences, s.minutes_not_taken,
                                                s.careless, s.incidents))
            for s in MemberScore.objects.filter(organisation=org, term=term)}


def _scores_from_scratch(org, term, now):
    """Each member's (sum of points, entries, ladder counts) from the engine over the term's facts."""
    rulebook = TermRulebook.objects.get(organisation=org, term=term).rulebook
    term_facts = facts.load(organisation_id=org.pk, term=term)
    scores = {}
    for e in engine.compute(term_facts, services.engine_rulebook(rulebook), as_of=now, today=local_date(now)):
        points, n, _c = scores.get(e.person_id, (0, 0, None))
        scores[e.person_id] = (points + e.points, n + 1, (0, 0, 0, 0, 0, {}))
    for pid, c in engine.ladder_counts(term_facts,
                                       lates_per_absence=rulebook.settings["lates_per_absence"]).items():
        points, n, _c = scores.get(pid, (0, 0, None))
        scores[pid] = (points, n, (c.lates, c.absences, c.extra_absences, c.minutes_not_taken, c.careless,
                                   c.incidents))
    return scores
