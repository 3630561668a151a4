"""QuickSelect writes the same menu as Django's Select, without a template per option."""

from html.parser import HTMLParser

from django import forms

from core.widgets import QuickSelect


class _Menu(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.select: dict[str, str | None] = {}
        self.options: list[tuple[str | None, bool, str]] = []
        self.groups: list[str | None] = []
        self._in_option = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "select":
            self.select = attributes
        elif tag == "optgroup":
            self.groups.append(attributes.get("label"))
        elif tag == "option":
            self.options.append((attributes.get("value"), "selected" in attributes, ""))
            self._in_option = True

    def handle_endtag(self, tag):
        if tag == "option":
            self._in_option = False

    def handle_data(self, data):
        if self._in_option:
            value, selected, text = self.options[-1]
            self.options[-1] = (value, selected, text + data)


def _parse(html: str) -> _Menu:
    menu = _Menu()
    menu.feed(str(html))
    return menu


def test_same_menu_as_django_select():
    choices = [("", "---------"), (1, "Élu <1> & co"), (2, "Deux"), ("Groupe", [(3, "Trois"), (4, "Quatre")])]
    attrs = {"id": "id_giver", "required": True, "aria-describedby": "help"}
    quick = _parse(QuickSelect(choices=choices).render("giver", 3, attrs=attrs))
    django = _parse(forms.Select(choices=choices).render("giver", 3, attrs=attrs))
    assert (
        quick.select
        == django.select
        == {"name": "giver", "id": "id_giver", "required": None, "aria-describedby": "help"}
    )
    assert quick.options == django.options
    assert ("3", True, "Trois") in quick.options and ("1", False, "Élu <1> & co") in quick.options
    assert quick.groups == django.groups == ["Groupe"]
    assert "<1>" not in str(QuickSelect(choices=choices).render("giver", None))  # labels are escaped


def test_empty_value_selects_the_empty_choice():
    menu = _parse(QuickSelect(choices=[("", "—"), (1, "Un")]).render("x", None))
    assert menu.options == [("", True, "—"), ("1", False, "Un")]


def test_menus_shared_between_fields_are_written_once_per_selection():
    menus: dict = {}
    people = [("", "---------"), (1, "Anne"), (2, "Bruno")]
    giver, holder = QuickSelect(choices=people), QuickSelect(choices=people)
    giver.menus = holder.menus = menus
    first = _parse(giver.render("giver", None))
    second = _parse(holder.render("holder", None))
    assert first.options == second.options == [("", True, "---------"), ("1", False, "Anne"), ("2", False, "Bruno")]
    assert len(menus) == 1
    # Another selection, or another empty choice, is another menu.
    assert _parse(holder.render("holder", 2)).options[2] == ("2", True, "Bruno")
    other = QuickSelect(choices=[("", "—"), (1, "Anne"), (2, "Bruno")])
    other.menus = menus
    assert _parse(other.render("person", None)).options[0] == ("", True, "—")
    assert len(menus) == 3
