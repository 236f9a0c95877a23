"""General English word lists the extraction rules use (no names of people or places)."""
from __future__ import annotations

# Words that make a phrase before or after a name a role ("German Chancellor", "special envoy").
TITLE_WORDS = frozenset("""
president vice-president premier prime minister chancellor secretary secretary-general envoy ambassador
spokesperson spokesman spokeswoman chief director governor senator mayor king queen prince princess
emir sheikh leader aide adviser advisor general commander chairman chairwoman chair ceo cfo cto coo founder
co-founder head professor analyst official judge justice representative congressman congresswoman
lawmaker legislator economist researcher scientist editor executive officer president-elect pope
commissioner deputy vice foreign defence defense interior finance treasury health trade justice
attorney counsel negotiator diplomat mediator lieutenant colonel admiral marshal captain major sergeant
general-secretary commissioner-general high-representative speaker whip chief-of-staff staff
governor-general monarch emperor chairperson manager partner strategist critic exile expert fellow
minister-president mp mep senator-elect candidate nominee coach captain founder owner investor
""".split())

HONORIFICS = frozenset("sir mr mr. mrs mrs. ms ms. dr dr. dame lord lady madam prof prof.".split())

# Verbs of saying: their subject speaks; their complement is what was said.
SPEECH_VERBS = frozenset("""
say tell add write post state note announce declare claim insist argue warn explain comment
report describe call confirm deny reiterate stress emphasise emphasize suggest indicate caution tweet
acknowledge admit assert maintain remark reply respond signal hail welcome urge predict
""".split())

# Places in a sentence: a name that follows these prepositions is a location there.
LOCATIVE_PREPS = frozenset("in at to from outside inside into near across throughout around within "
                           "toward towards via".split())

# Nouns after a name that make it a medium, not an actor ("TASS news agency").
MEDIA_NOUNS = frozenset("agency newspaper broadcaster network channel platform site website outlet daily "
                        "paper magazine television tv radio service wire tabloid podcast".split())
MEDIA_NAME_ENDINGS = frozenset("news times post tv radio journal press media herald tribune gazette "
                               "telegraph agency network broadcasting wire".split())

# Collective nouns that make a nationality adjective a group actor ("European leaders").
GROUP_NOUNS = frozenset("leaders officials allies ministers diplomats lawmakers negotiators government "
                        "governments authorities delegation delegations forces troops military army "
                        "regulators investors companies banks prosecutors courts protesters "
                        "rebels militants police".split())

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")

# Verbs of commitment, decision and action: their subject decides or does something.
ACTION_VERBS = frozenset("""
agree announce approve adopt decide commit pledge promise vow sign launch order impose lift ban rule
coordinate co-ordinate arrange convene host set begin start task appoint name unveil establish create
deploy send allocate provide offer propose invite schedule plan confirm accept reject refuse veto pass
authorize authorise sanction fine suspend halt stop end cancel withdraw raise cut increase reduce
release publish file sue charge arrest detain attack strike kill seize capture advance recall expel
deliver fund finance invest acquire buy sell merge close open win lose elect nominate resign dismiss
fire hire recommend require mandate introduce implement enforce extend renew postpone delay grant
deny block prevent allow permit support back endorse oppose condemn criticise criticize demand request
urge seek ask call warn threaten pressure press push lead broker mediate negotiate discuss meet
""".split())

# Words news writers swap for each other when they retell one point; each set maps to its first word.
# General English, for paraphrase matching ("security assurances" = "security guarantees").
SYNONYM_SETS = (
    "guarantee assurance guarantor",
    "meeting summit talks session encounter meet",
    "arrange organise organize convene broker host arrangement",
    "announce unveil declare unveiling announcement",
    "country nation state",
    "ceasefire truce armistice",
    "territory land",
    "concession compromise",
    "agree accept agreement",
    "reject refuse rule",
    "coordinate coordination co-ordinate co-ordination",
    "plan proposal plans",
    "sanction sanctions penalty",
    "attack strike assault raid",
    "kill dead death die",
    "leader head chief",
    "troop soldier force",
    "weapon arm arms",
    "company firm business",
    "law legislation bill",
    "cut reduce lower",
    "increase raise hike boost rise climb jump surge soar",
    "begin start launch",
    "end stop halt finish",
    "investigate probe inquiry investigation",
    "resign quit step",
    "election vote ballot poll",
    "fall drop decline plunge slump",
    "buy purchase acquire acquisition",
    "talk negotiation negotiate",
    "restore resume reestablish re-establish renew revive reinstate",
    "relation ties relationship",
    "embassy mission consulate",
    "emergency crisis",
    "outbreak epidemic",
    "agreement deal accord pact treaty",
)

# Words whose object is land, not an actor ('annexed X', 'the occupation of X').
TERRITORY_WORDS = frozenset("""
occupy occupied occupation annex annexed annexation reclaim reclamation invade invasion capture captured
liberate liberation seize seized cede ceded control controlled border region province peninsula
territory enclave
""".split())

# Nouns for people and bodies that can take decisions ('the government will cut taxes').
AGENT_NOUNS = frozenset("""
government ministry department agency commission council parliament congress senate court board
committee bank company firm group union party coalition administration regulator authority
authorities official officials leader leaders team delegation country countries nation nations state
states alliance bloc organisation organization police army military navy force forces prosecutor
prosecutors investor investors shareholder shareholders lawmaker lawmakers legislature cabinet
president minister chancellor secretary governor mayor judge spokesperson spokesman spokeswoman
university hospital school city region employer employers worker workers manufacturer retailer
""".split())

TITLE_WORDS = TITLE_WORDS | frozenset("""
treasurer attorney-general solicitor-general comptroller auditor inspector superintendent dean rector
provost bishop archbishop cardinal rabbi imam ayatollah sultan regent councillor councilor alderman
assemblyman assemblywoman delegate envoys chancellor-elect governor-elect prime-minister
""".split())

AGENT_NOUNS = AGENT_NOUNS | frozenset("""
office presidency panel body watchdog operator carrier airline insurer lender club league federation
association institute foundation charity assembly tribunal senator senators ministers governments
member members owner owners buyer seller supplier developer startup exchange fund commissioner
""".split())
