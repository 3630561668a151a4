"""The legal rules alone, on the worked examples of DESIGN.md and the seeds."""

from datetime import date

import pytest

from core.errors import DomainError
from deliberations import rules
from deliberations.attendance import ProxyFact, replay


class TestConvocation:
    def test_clear_days_by_population_and_epci(self):
        assert rules.convocation_clear_days(population=302454, is_epci=False) == 5
        assert rules.convocation_clear_days(population=3500, is_epci=False) == 5
        assert rules.convocation_clear_days(population=3499, is_epci=False) == 3
        assert rules.convocation_clear_days(population=800, is_epci=True) == 5
        assert rules.convocation_clear_days(population=None, is_epci=False) == 5
        assert rules.convocation_clear_days(population=302454, is_epci=False, urgency=True) == 1

    def test_montpellier_sitting_on_26_march_needs_convocation_by_20_march(self):
        assert rules.latest_convocation_date(date(2024, 3, 26), 5) == date(2024, 3, 20)
        assert (
            rules.check_convocation(
                sitting_date=date(2024, 3, 26),
                convocation_date=date(2024, 3, 20),
                population=302454,
                is_epci=False,
                urgency=False,
            )
            == 5
        )
        with pytest.raises(DomainError) as error:
            rules.check_convocation(
                sitting_date=date(2024, 3, 26),
                convocation_date=date(2024, 3, 21),
                population=302454,
                is_epci=False,
                urgency=False,
            )
        assert "20 mars 2024" in error.value.message
        assert "L2121-12" in error.value.rule

    def test_small_commune_three_clear_days(self):
        rules.check_convocation(
            sitting_date=date(2024, 3, 26),
            convocation_date=date(2024, 3, 22),
            population=900,
            is_epci=False,
            urgency=False,
        )
        with pytest.raises(DomainError):
            rules.check_convocation(
                sitting_date=date(2024, 3, 26),
                convocation_date=date(2024, 3, 23),
                population=900,
                is_epci=False,
                urgency=False,
            )

    def test_urgency_shortens_to_one_clear_day_but_must_be_motivated(self):
        rules.check_convocation(
            sitting_date=date(2024, 3, 26),
            convocation_date=date(2024, 3, 24),
            population=302454,
            is_epci=False,
            urgency=True,
            urgency_reason="Intempéries",
        )
        with pytest.raises(DomainError, match="motiv"):
            rules.check_convocation(
                sitting_date=date(2024, 3, 26),
                convocation_date=date(2024, 3, 24),
                population=302454,
                is_epci=False,
                urgency=True,
            )
        with pytest.raises(DomainError, match="1 jour"):
            rules.check_convocation(
                sitting_date=date(2024, 3, 26),
                convocation_date=date(2024, 3, 25),
                population=302454,
                is_epci=False,
                urgency=True,
                urgency_reason="Intempéries",
            )

    def test_reconvened_sitting_three_days_later(self):
        rules.check_reconvened_date(first_sitting=date(2024, 3, 26), new_sitting=date(2024, 3, 29))
        with pytest.raises(DomainError, match="29 mars 2024"):
            rules.check_reconvened_date(first_sitting=date(2024, 3, 26), new_sitting=date(2024, 3, 28))


class TestQuorum:
    def test_montpellier_35_of_65(self):
        assert rules.quorum_needed(65) == 33
        assert rules.has_quorum(present=35, members_in_office=65)
        assert rules.has_quorum(present=33, members_in_office=65)
        assert not rules.has_quorum(present=32, members_in_office=65)

    def test_exactly_half_is_not_enough(self):
        assert not rules.has_quorum(present=5, members_in_office=10)
        assert rules.has_quorum(present=6, members_in_office=10)

    def test_check_refuses_and_reconvened_sitting_needs_none(self):
        with pytest.raises(DomainError) as error:
            rules.check_quorum(present=32, members_in_office=65)
        assert error.value.rule == rules.RULE_QUORUM and "33" in error.value.message
        rules.check_quorum(present=2, members_in_office=65, reconvened=True)


def _proxy(**overrides):
    values = dict(
        giver_name="Julie FRÊCHE",
        holder_name="Michaël DELAFOSSE",
        same_person=False,
        giver_in_office=True,
        holder_in_office=True,
        giver_present=False,
        holder_present=True,
        holder_other_proxy_giver=None,
        giver_other_proxy_holder=None,
        consecutive_sittings=1,
        illness=False,
    )
    values.update(overrides)
    rules.check_proxy(**values)


class TestProxies:
    def test_valid(self):
        _proxy()
        _proxy(consecutive_sittings=3)
        _proxy(consecutive_sittings=5, illness=True)

    @pytest.mark.parametrize(
        ("overrides", "words"),
        [
            ({"giver_present": True}, "seul un membre absent"),
            ({"holder_present": False}, "doit être présent"),
            ({"holder_other_proxy_giver": "Clara GIMENEZ"}, "qu'un seul pouvoir"),
            ({"giver_other_proxy_holder": "Hervé MARTIN"}, "déjà donné pouvoir"),
            ({"consecutive_sittings": 4}, "trois séances consécutives"),
            ({"same_person": True}, "lui-même"),
            ({"holder_in_office": False}, "membre en exercice"),
        ],
    )
    def test_each_refusal_names_the_rule(self, overrides, words):
        with pytest.raises(DomainError) as error:
            _proxy(**overrides)
        assert words in error.value.message
        assert error.value.rule == rules.RULE_PROXY


class TestVotes:
    def test_montpellier_unanimous(self):
        rules.check_vote_totals(votes_for=44, votes_against=0, abstentions=0, not_voting=0, present=35, represented=9)
        outcome = rules.vote_outcome(votes_for=44, votes_against=0, abstentions=0, not_voting=0, method="show_of_hands")
        assert outcome == rules.Outcome(True, False, "adoptée à l'unanimité")

    def test_totals_must_match_present_and_represented(self):
        with pytest.raises(DomainError) as error:
            rules.check_vote_totals(
                votes_for=43, votes_against=0, abstentions=0, not_voting=0, present=35, represented=9
            )
        assert "43 voix" in error.value.message and "44" in error.value.message

    def test_unanimity_of_votes_cast(self):
        assert rules.vote_outcome(
            votes_for=40, votes_against=0, abstentions=4, not_voting=0, method="show_of_hands"
        ).text == ("adoptée à l'unanimité des suffrages exprimés")
        assert rules.vote_outcome(
            votes_for=40, votes_against=0, abstentions=0, not_voting=2, method="show_of_hands"
        ).text == ("adoptée à l'unanimité des suffrages exprimés")

    def test_majority_of_votes_cast_ignores_abstentions(self):
        outcome = rules.vote_outcome(
            votes_for=10, votes_against=9, abstentions=25, not_voting=0, method="show_of_hands"
        )
        assert outcome.adopted and outcome.text == "adoptée à la majorité des suffrages exprimés"
        assert not rules.vote_outcome(
            votes_for=9, votes_against=10, abstentions=0, not_voting=0, method="public_ballot"
        ).adopted

    def test_tie_casting_vote_of_the_president(self):
        with pytest.raises(DomainError, match="voix est prépondérante"):
            rules.vote_outcome(votes_for=10, votes_against=10, abstentions=0, not_voting=0, method="show_of_hands")
        adopted = rules.vote_outcome(
            votes_for=10, votes_against=10, abstentions=1, not_voting=0, method="public_ballot", president_choice="for"
        )
        assert adopted.adopted and adopted.casting_vote
        rejected = rules.vote_outcome(
            votes_for=10,
            votes_against=10,
            abstentions=0,
            not_voting=0,
            method="show_of_hands",
            president_choice="against",
        )
        assert not rejected.adopted and rejected.casting_vote

    def test_tie_in_secret_ballot_rejects(self):
        outcome = rules.vote_outcome(
            votes_for=10, votes_against=10, abstentions=0, not_voting=0, method="secret_ballot", president_choice="for"
        )
        assert not outcome.adopted and not outcome.casting_vote and "scrutin secret" in outcome.text

    def test_no_vote_cast_rejects(self):
        assert not rules.vote_outcome(
            votes_for=0, votes_against=0, abstentions=12, not_voting=0, method="show_of_hands"
        ).adopted

    def test_method_requests(self):
        rules.check_vote_method(method="public_ballot", requested_by=5, present=20)
        with pytest.raises(DomainError, match="quart"):
            rules.check_vote_method(method="public_ballot", requested_by=4, present=20)
        with pytest.raises(DomainError, match="tiers"):
            rules.check_vote_method(method="secret_ballot", requested_by=6, present=20)
        rules.check_vote_method(method="secret_ballot", requested_by=0, present=20, appointment=True)


class TestNumbering:
    def test_patterns(self):
        assert rules.format_number("v{year}-{seq:03}", year=2024, seq=67) == "v2024-067"
        assert rules.format_number("{year}_CT2_{seq}", year=2019, seq=587) == "2019_CT2_587"
        assert rules.pattern_has_year("{year}_CT2_{seq}") and not rules.pattern_has_year("D{seq:04}")

    @pytest.mark.parametrize("pattern", ["{year}-", "{foo}-{seq}", "{seq!r}", "{seq:>5}", "{year"])
    def test_bad_patterns(self, pattern):
        with pytest.raises(DomainError) as error:
            rules.check_numbering_pattern(pattern)
        assert error.value.field == "pattern"

    def test_subject_code(self):
        assert rules.check_subject_code(" 7.5 ") == "7.5"
        with pytest.raises(DomainError):
            rules.check_subject_code("7,5")


class TestCtes:
    def test_internal_numbers(self):
        assert rules.check_internal_number("262151") == "262151"
        assert rules.check_internal_number("2019_CT2_587") == "2019_CT2_587"
        for bad in ["v2024-067", "_A1", "A" * 16, ""]:
            with pytest.raises(DomainError):
                rules.check_internal_number(bad)
        assert rules.suggest_internal_number("v2024-067") == "V2024_067"

    def test_montpellier_acknowledgement(self):
        ack = rules.check_acknowledgement(
            "034-213401722-20240326-262151-CC-1-1",
            departement="034",
            siren="213401722",
            decision_date=date(2024, 3, 26),
            internal_number="262151",
            nature="CC",
        )
        assert ack.suffix == "1-1" and ack.decision_date == date(2024, 3, 26)

    def test_aix_marseille_acknowledgement(self):
        ack = rules.check_acknowledgement(
            "013-200054807-20191212-2019_CT2_587-DE",
            departement="13",
            siren="200054807",
            decision_date=date(2019, 12, 12),
            internal_number="2019_CT2_587",
            nature="DE",
        )
        assert ack.number == "2019_CT2_587" and ack.suffix == ""

    def test_mismatches_are_listed(self):
        with pytest.raises(DomainError) as error:
            rules.check_acknowledgement(
                "034-213401722-20240327-262151-DE-1-1",
                departement="034",
                siren="213401722",
                decision_date=date(2024, 3, 26),
                internal_number="262152",
                nature="CC",
            )
        message = error.value.message
        assert "date 27/03/2024" in message and "numéro 262151 au lieu de 262152" in message and "nature DE" in message
        with pytest.raises(DomainError, match="illisible"):
            rules.parse_acknowledgement("034-21340172-20240326-262151-CC")
        with pytest.raises(DomainError, match="n'existe pas"):
            rules.parse_acknowledgement("034-213401722-20240231-262151-CC")


class TestPublication:
    def test_enforceable(self):
        assert rules.enforceable_on(
            published_on=date(2024, 4, 9), received_on=date(2024, 4, 8), requires_transmission=True
        ) == date(2024, 4, 9)
        assert rules.enforceable_on(published_on=date(2024, 4, 9), received_on=None, requires_transmission=True) is None
        assert rules.enforceable_on(
            published_on=date(2024, 4, 9), received_on=None, requires_transmission=False
        ) == date(2024, 4, 9)
        assert rules.enforceable_on(
            published_on=date(2024, 4, 9), received_on=date(2024, 4, 12), requires_transmission=True
        ) == date(2024, 4, 12)

    def test_recours_end(self):
        # 9 June 2024 + 1 day = Monday 10 June.
        assert rules.recours_end(date(2024, 4, 9)) == date(2024, 6, 10)
        # 15 March + 2 months + 1 = 16 May 2024, a Thursday.
        assert rules.recours_end(date(2024, 3, 15)) == date(2024, 5, 16)
        # 30 April + 2 months = 30 June (Sunday) + 1 = 1 July.
        assert rules.recours_end(date(2024, 4, 29)) == date(2024, 7, 1)

    def test_publication_deadlines(self):
        assert rules.list_publication_deadline(date(2024, 3, 26)) == date(2024, 4, 2)
        assert rules.minutes_publication_deadline(date(2024, 5, 14)) == date(2024, 5, 21)


class TestAnnexes:
    def test_by_content(self):
        assert rules.check_annex(filename="a.pdf", head=b"%PDF-1.7", size=10, max_size=100) == "application/pdf"
        assert rules.check_annex(filename="Convention.docx", head=b"PK\x03\x04xx", size=10, max_size=100).endswith(
            "document"
        )
        with pytest.raises(DomainError, match="contenu"):
            rules.check_annex(filename="a.pdf", head=b"MZ\x90", size=10, max_size=100)
        with pytest.raises(DomainError, match="contenu"):
            rules.check_annex(filename="a.docx", head=b"%PDF-1.7", size=10, max_size=100)
        with pytest.raises(DomainError, match="limite"):
            rules.check_annex(filename="a.pdf", head=b"%PDF-1.7", size=200, max_size=100)


class TestAttendanceReplay:
    def test_defaults_changes_and_proxies(self):
        members = [1, 2, 3, 4, 5]
        defaults = {1: "present", 2: "present", 3: "present", 4: "excused"}  # 5 not recorded: absent
        changes = [(2, 3, "absent"), (4, 3, "present"), (3, 2, "absent")]
        proxies = [ProxyFact(id=1, giver_id=4, holder_id=3, start=None, end=None)]
        items = replay(members=members, defaults=defaults, changes=changes, positions=[1, 2, 4, 5], proxies=proxies)
        assert items[1].present_count == 3 and items[1].represented == {4: 3}
        # Holder 3 leaves at item 2: giver 4 is no longer represented.
        assert items[2].present_ids == [1, 2] and items[2].represented == {}
        # Change at 3 (not listed) still applies to 4; 3 is back, so is the proxy.
        assert items[4].present_ids == [1, 3] and items[4].represented == {4: 3}
        assert items[4].state_of(4) == "represented" and items[4].state_of(5) == "absent"
        assert items[4].voters == 3 and not items[4].has_quorum and items[4].quorum_needed == 3

    def test_revoked_and_late_proxies(self):
        proxies = [
            ProxyFact(id=1, giver_id=2, holder_id=1, start=2, end=4, revoked=True),
            ProxyFact(id=2, giver_id=3, holder_id=1, start=None, end=None, revoked=True),
        ]
        items = replay(members=[1, 2, 3], defaults={1: "present"}, changes=[], positions=[1, 2, 3, 4], proxies=proxies)
        assert [items[p].represented for p in (1, 2, 3, 4)] == [{}, {2: 1}, {2: 1}, {}]
