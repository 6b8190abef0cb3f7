"""Made-up names and places for `seed_scale`: small lists, so no Faker at run time."""

# fmt: off
FIRST_NAMES = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
    "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Sharon",
    "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Amy", "Jacob", "Kathleen", "Gary", "Angela",
    "Nicholas", "Dorothy", "Eric", "Shirley", "Jonathan", "Emma", "Stephen", "Brenda", "Larry",
    "Nicole", "Justin", "Pamela", "Scott", "Samantha", "Brandon", "Katherine", "Benjamin",
    "Christine", "Samuel", "Debra", "Raymond", "Rachel", "Gregory", "Carolyn", "Frank", "Janet",
    "Alexander", "Maria", "Patrick", "Olivia", "Jack", "Heather", "Dennis", "Helen", "Jerry",
    "Catherine", "Tyler", "Diane", "Aaron", "Julie", "Jose", "Victoria", "Adam", "Joyce", "Priya",
    "Wei", "Aisha", "Kenji", "Fatima", "Mateo", "Sofia", "Oluwaseun", "Yuki", "Arjun", "Mei",
    "Carlos", "Leila", "Dmitri"
]
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
    "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
    "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed",
    "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
    "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
    "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Chen", "Wang",
    "Okafor", "Tanaka", "Haddad", "Kowalski", "Petrova", "Schultz", "Rossi", "Mensah", "Rahman",
    "Sullivan"
]
STREETS = [
    "Mission", "Market", "Valencia", "Harbor", "Geary", "Irving", "Judah", "Taraval", "Broadway",
    "Grand"
]
RELATIONSHIPS = [
    "Partner", "Spouse", "Parent", "Sibling", "Friend", "Adult child"
]
CITIES = [
    ("San Francisco", "941"),
    ("Oakland", "946"),
    ("Berkeley", "947"),
    ("San Mateo", "944"),
    ("Daly City", "940"),
    ("San Rafael", "949"),
]
# fmt: on
