"""The articles and delays the rules of this app cite."""

POPULATION_THRESHOLD = 3500
LIST_PUBLICATION_DAYS = 7
MINUTES_PUBLICATION_DAYS = 7
RECONVENE_MIN_DAYS = 3
RECOURS_MONTHS = 2
PROXY_MAX_CONSECUTIVE_SITTINGS = 3

RULE_CONVOCATION = "CGCT L2121-11 et L2121-12 (délai de convocation)"
RULE_QUORUM = "CGCT L2121-17 (quorum)"
RULE_PROXY = "CGCT L2121-20 (pouvoirs)"
RULE_MAJORITY = "CGCT L2121-20 (majorité des suffrages exprimés)"
RULE_METHOD = "CGCT L2121-21 (mode de scrutin)"
RULE_CHAIR = "CGCT L2121-14 et L2121-20 (présidence et voix prépondérante)"
RULE_TOTALS = "Totaux du vote = présents + représentés"
RULE_PUBLICATION = "CGCT L2131-1 (publicité et caractère exécutoire)"
RULE_CTES = "@CTES (contrôle de légalité)"
RULE_NUMBERING = "Numérotation des délibérations"
RULE_SUBJECT = "Nomenclature des matières (@CTES)"
