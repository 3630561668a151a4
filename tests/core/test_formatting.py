from datetime import date
from decimal import Decimal

from core.formatting import NBSP, NNBSP, french_amount, french_date, french_typography


def test_french_dates():
    assert french_date(date(2024, 3, 26)) == "26 mars 2024"
    assert french_date(date(2024, 4, 1)) == "1er avril 2024"
    assert french_date(date(2024, 3, 26), weekday=True) == "mardi 26 mars 2024"


def test_french_amount_groups_thousands():
    assert french_amount(Decimal("60000")) == f"60{NNBSP}000,00{NBSP}€"


def test_typography_adds_no_break_spaces_but_leaves_urls_and_times():
    text = french_typography("Pour : 44 voix ; adopté ! Voir https://www.flagasso.com/?a=1 à 18:30 « FLAG ! »")
    assert f"Pour{NBSP}: 44" in text
    assert f"voix{NNBSP};" in text
    assert f"adopté{NNBSP}!" in text
    assert "https://www.flagasso.com/?a=1" in text
    assert "18:30" in text
    assert f"«{NBSP}FLAG{NNBSP}!{NBSP}»" in text
