"""Every write of the deliberations app: one function per act, atomic, row-locked.

Split by subject: ``assemblies`` (assemblies, mandates), ``sittings`` (sitting life),
``acts`` (numbering, agenda, signature, transmission, publication, annexes), ``ctes`` (the
act's package for the préfecture, its acknowledgement read back), ``attendance``
(attendance, arrivals and departures, proxies) and ``votes`` (votes, prises d'acte).
"""

from deliberations.services.acts import (
    add_annex,
    create_deliberation,
    move_item,
    postpone,
    publish,
    put_on_agenda,
    record_acknowledgement,
    record_transmission,
    remove_annex,
    remove_from_agenda,
    sign,
    take_number,
    update_deliberation,
    withdraw,
)
from deliberations.services.assemblies import (
    WORDING_FIELDS,
    add_mandate,
    add_member,
    create_assembly,
    end_mandate,
    set_next_number,
    set_numbering_rule,
    update_wording,
)
from deliberations.services.attendance import (
    delete_movement,
    mark_unrecorded_present,
    record_movement,
    register_proxy,
    revoke_proxy,
    set_attendance,
    set_attendances,
)
from deliberations.services.chair import set_item_chair
from deliberations.services.ctes import (
    build_package,
    import_acknowledgement,
    import_classification,
    package_plan,
    update_annex,
)
from deliberations.services.sittings import (
    approve_minutes,
    close_sitting,
    convene,
    create_sitting,
    open_sitting,
    publish_list,
    publish_minutes,
    reconvene,
    update_sitting,
)
from deliberations.services.votes import BallotInput, record_vote, reopen_item, take_note

__all__ = [
    "WORDING_FIELDS",
    "BallotInput",
    "build_package",
    "import_acknowledgement",
    "import_classification",
    "package_plan",
    "add_annex",
    "add_mandate",
    "add_member",
    "approve_minutes",
    "close_sitting",
    "convene",
    "create_assembly",
    "create_deliberation",
    "create_sitting",
    "delete_movement",
    "end_mandate",
    "mark_unrecorded_present",
    "move_item",
    "open_sitting",
    "postpone",
    "publish",
    "publish_list",
    "publish_minutes",
    "put_on_agenda",
    "reconvene",
    "record_acknowledgement",
    "record_movement",
    "record_transmission",
    "record_vote",
    "register_proxy",
    "remove_annex",
    "remove_from_agenda",
    "reopen_item",
    "revoke_proxy",
    "set_attendance",
    "set_attendances",
    "set_item_chair",
    "set_next_number",
    "set_numbering_rule",
    "sign",
    "take_note",
    "take_number",
    "update_annex",
    "update_deliberation",
    "update_sitting",
    "update_wording",
    "withdraw",
]
