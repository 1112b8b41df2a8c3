package demo

import "github.com/kitshelf/kitshelf/models"

type kitTypeSpec struct {
	models.KitTypeInput
	copies int
}

func c(name string, qty int) models.ContentInput {
	return models.ContentInput{Name: name, Quantity: qty}
}
func consumable(name string, qty int) models.ContentInput {
	return models.ContentInput{Name: name, Quantity: qty, Consumable: true}
}

// catalogue is the demo hub's resource library: kits of the kind STEM
// Ambassador hubs lend, with contents lists staff count back.
var catalogue = []kitTypeSpec{
	{models.KitTypeInput{Name: "micro:bit class set (30)", Topics: []string{"computing", "electronics"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 21, TurnaroundDays: 2,
		Description: "Thirty BBC micro:bit V2 boards with battery packs and USB leads: enough for a whole class to code, sense and make.",
		Contents: []models.ContentInput{c("BBC micro:bit V2", 30), c("battery pack (2 × AAA)", 30), c("micro-USB lead", 30),
			consumable("AAA battery", 60), c("teacher guide", 1)}}, 6},
	{models.KitTypeInput{Name: "LEGO Education SPIKE Prime robotics", Topics: []string{"robotics", "engineering", "computing"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 21, TurnaroundDays: 3,
		Description: "Six SPIKE Prime sets for building and programming robots in teams of four or five.",
		Contents: []models.ContentInput{c("SPIKE Prime set (hub, 3 motors, 3 sensors)", 6), c("rechargeable hub battery", 6),
			c("challenge mat", 2), c("sorting tray", 6), c("teacher guide", 1)}}, 4},
	{models.KitTypeInput{Name: "Renewable energy kit: wind and solar", Topics: []string{"energy", "climate", "engineering"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 14, TurnaroundDays: 2,
		Description: "Model wind turbines and solar panels with meters: measure which design generates the most power.",
		Contents: []models.ContentInput{c("model wind turbine with blade set", 6), c("solar panel 1 W", 6), c("multimeter", 6),
			c("desk fan", 2), c("crocodile lead set", 6), c("worksheet pack", 1)}}, 3},
	{models.KitTypeInput{Name: "Digital microscopes (class set of 8)", Topics: []string{"biology", "materials"},
		AgeLevels: []string{"cfe-first", "cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 14, TurnaroundDays: 2,
		Description: "USB microscopes that show specimens on a laptop or whiteboard, with prepared slides.",
		Contents: []models.ContentInput{c("USB digital microscope", 8), c("prepared slide box (25)", 2), consumable("blank slide", 50),
			consumable("cover slip", 100), c("tweezers", 8)}}, 4},
	{models.KitTypeInput{Name: "Raspberry Pi Pico physical computing", Topics: []string{"computing", "electronics"},
		AgeLevels: []string{"cfe-third", "cfe-fourth", "ks3", "ks4"}, DefaultLoanDays: 21, TurnaroundDays: 2,
		Description: "Fifteen Pico W boards with breadboards and components for MicroPython projects.",
		Contents: []models.ContentInput{c("Raspberry Pi Pico W", 15), c("breadboard", 15), c("component box (LEDs, buttons, buzzer)", 15),
			c("micro-USB lead", 15), consumable("jumper wire bag", 15)}}, 3},
	{models.KitTypeInput{Name: "Weather station", Topics: []string{"climate", "geography", "data"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 28, TurnaroundDays: 2,
		Description: "A mast-mounted weather station logging wind, rain, temperature and humidity for a month of data.",
		Contents: []models.ContentInput{c("weather station console", 1), c("sensor array", 1), c("tripod mast", 1),
			c("rain gauge", 1), consumable("AA battery", 6), c("data logging guide", 1)}}, 2},
	{models.KitTypeInput{Name: "DNA extraction kit", Topics: []string{"biology", "chemistry"},
		AgeLevels: []string{"cfe-third", "cfe-fourth", "senior-phase", "ks3", "ks4"}, DefaultLoanDays: 14, TurnaroundDays: 3,
		Description: "Extract DNA from strawberries: a practical for thirty with goggles and reusable glassware.",
		Contents: []models.ContentInput{c("safety goggles", 30), c("boiling tube", 30), c("tube rack", 10), c("funnel", 15),
			consumable("extraction buffer (100 ml)", 3), consumable("filter paper", 50), c("risk assessment", 1)}}, 3},
	{models.KitTypeInput{Name: "Bee-Bot floor robots (6)", Topics: []string{"computing", "robotics"},
		AgeLevels: []string{"cfe-early", "cfe-first", "ks1"}, DefaultLoanDays: 21, TurnaroundDays: 2,
		Description: "Six programmable floor robots with a docking station and mats for early-years sequencing.",
		Contents:    []models.ContentInput{c("Bee-Bot", 6), c("charging dock", 1), c("grid mat", 2), c("sequence card set", 1)}}, 5},
	{models.KitTypeInput{Name: "Forensic science crime scene", Topics: []string{"chemistry", "biology", "careers"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 14, TurnaroundDays: 3,
		Description: "Fingerprinting, chromatography and footprint casting to solve a staged mystery.",
		Contents: []models.ContentInput{c("fingerprint brush", 10), consumable("fingerprint powder (50 g)", 2), c("UV torch", 4),
			consumable("chromatography paper", 60), c("case file pack", 1), c("evidence bag set", 1)}}, 2},
	{models.KitTypeInput{Name: "Electric circuits class set", Topics: []string{"physics", "electronics"},
		AgeLevels: []string{"cfe-first", "cfe-second", "ks2"}, DefaultLoanDays: 21, TurnaroundDays: 2,
		Description: "Bulbs, buzzers, motors and switches in trays for sixteen pairs.",
		Contents: []models.ContentInput{c("component tray", 16), c("battery holder (2 × AA)", 16), consumable("AA battery", 32),
			c("crocodile lead set", 16), consumable("spare bulb", 20)}}, 4},
	{models.KitTypeInput{Name: "VR headsets: careers in STEM", Topics: []string{"careers", "technology"},
		AgeLevels: []string{"cfe-third", "cfe-fourth", "senior-phase", "ks3", "ks4"}, DefaultLoanDays: 7, TurnaroundDays: 2,
		Description: "Ten standalone headsets preloaded with 360° tours of engineering and science workplaces.",
		Contents:    []models.ContentInput{c("VR headset", 10), c("controller pair", 10), c("charging case", 1), c("hygiene face cover", 20)}}, 2},
	{models.KitTypeInput{Name: "Rocket launch kit", Topics: []string{"physics", "engineering", "space"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 14, TurnaroundDays: 2,
		Description: "Stomp and water rockets with a launch pad: forces, angles and a very good afternoon.",
		Contents: []models.ContentInput{c("stomp rocket launcher", 4), c("water rocket launch pad", 1), c("foot pump", 1),
			consumable("rocket fin set", 30), c("safety goggles", 30)}}, 3},
	{models.KitTypeInput{Name: "Coding with Scratch and Makey Makey", Topics: []string{"computing", "electronics"},
		AgeLevels: []string{"cfe-first", "cfe-second", "ks1", "ks2"}, DefaultLoanDays: 21, TurnaroundDays: 2,
		Description: "Turn bananas into keyboards: ten Makey Makey boards for invention projects with Scratch.",
		Contents:    []models.ContentInput{c("Makey Makey board", 10), c("crocodile clip set", 10), c("USB lead", 10), consumable("conductive tape roll", 2)}}, 3},
	{models.KitTypeInput{Name: "Marine biology rock pool kit", Topics: []string{"biology", "environment"},
		AgeLevels: []string{"cfe-first", "cfe-second", "ks1", "ks2"}, DefaultLoanDays: 14, TurnaroundDays: 3,
		Description: "Identification guides, viewers and trays for a safe rock-pool survey.",
		Contents:    []models.ContentInput{c("bucket viewer", 8), c("sorting tray", 8), c("identification chart", 8), c("hand net", 8)}}, 2},
	{models.KitTypeInput{Name: "Engineering bridges challenge", Topics: []string{"engineering", "maths"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 14, TurnaroundDays: 2,
		Description: "K'nex bridge building with load testing: design, build, break, improve.",
		Contents:    []models.ContentInput{c("K'nex bridge set", 6), c("load-testing weight set", 2), c("spring balance", 6), c("challenge cards", 1)}}, 3},
	{models.KitTypeInput{Name: "Astronomy: telescopes and planisphere", Topics: []string{"space", "physics"},
		AgeLevels: []string{"cfe-second", "cfe-third", "cfe-fourth", "ks2", "ks3", "ks4"}, DefaultLoanDays: 28, TurnaroundDays: 2,
		Description: "Two tabletop telescopes and planispheres for dark-sky evenings, popular with Highland schools.",
		Contents:    []models.ContentInput{c("tabletop reflector telescope", 2), c("planisphere", 15), c("red torch", 10), c("moon map", 15)}}, 3},
	{models.KitTypeInput{Name: "Chemistry of colour", Topics: []string{"chemistry"},
		AgeLevels: []string{"cfe-second", "cfe-third", "ks2", "ks3"}, DefaultLoanDays: 14, TurnaroundDays: 3,
		Description: "pH indicators from red cabbage, chromatography and colour-changing reactions.",
		Contents: []models.ContentInput{c("spotting tile", 15), c("pipette set", 15), consumable("universal indicator (100 ml)", 2),
			c("safety goggles", 30), c("method cards", 1)}}, 2},
	{models.KitTypeInput{Name: "Drones: flight and data", Topics: []string{"engineering", "computing", "careers"},
		AgeLevels: []string{"cfe-third", "cfe-fourth", "senior-phase", "ks3", "ks4", "post-16"}, DefaultLoanDays: 7, TurnaroundDays: 3,
		Description: "Six programmable indoor drones with prop guards and a flight-safety briefing.",
		Contents: []models.ContentInput{c("programmable drone", 6), c("spare propeller set", 6), c("flight battery", 12),
			c("battery charger", 2), c("safety briefing", 1)}}, 2},
	{models.KitTypeInput{Name: "Sound and light investigation", Topics: []string{"physics"},
		AgeLevels: []string{"cfe-first", "cfe-second", "ks1", "ks2"}, DefaultLoanDays: 21, TurnaroundDays: 2,
		Description: "Tuning forks, slinkies, prisms and torches for sixteen pairs.",
		Contents:    []models.ContentInput{c("tuning fork", 8), c("slinky", 8), c("glass prism", 8), c("torch", 8), consumable("AA battery", 16)}}, 2},
	{models.KitTypeInput{Name: "Data science with sensors", Topics: []string{"data", "computing", "maths"},
		AgeLevels: []string{"cfe-fourth", "senior-phase", "ks4", "post-16"}, DefaultLoanDays: 21, TurnaroundDays: 2,
		Description: "Data loggers with temperature, light and motion probes for senior-phase investigations.",
		Contents:    []models.ContentInput{c("data logger", 8), c("temperature probe", 8), c("light sensor", 8), c("motion sensor", 4), c("USB lead", 8)}}, 2},
}

type orgSpec struct {
	name, authority, postcode string
	kind                      models.OrgKind
	class                     models.UrbanRural
}

// organisations are schools and youth groups across urban, remote and very
// remote Scotland, so reach reports have something to count.
var organisations = []orgSpec{
	{"Hillside Primary School", "City of Edinburgh", "EH7 5QR", models.OrgSchool, models.URLargeUrban},
	{"Leith Academy", "City of Edinburgh", "EH6 8JL", models.OrgSchool, models.URLargeUrban},
	{"Craiglockhart Primary School", "City of Edinburgh", "EH14 1LT", models.OrgSchool, models.URLargeUrban},
	{"Portobello High School", "City of Edinburgh", "EH15 1FF", models.OrgSchool, models.URLargeUrban},
	{"Govan High School", "Glasgow City", "G51 4SS", models.OrgSchool, models.URLargeUrban},
	{"Shawlands Primary School", "Glasgow City", "G41 3UT", models.OrgSchool, models.URLargeUrban},
	{"Dunfermline High School", "Fife", "KY11 4BQ", models.OrgSchool, models.UROtherUrban},
	{"Kirkcaldy North Primary School", "Fife", "KY1 3NG", models.OrgSchool, models.UROtherUrban},
	{"Perth Academy", "Perth and Kinross", "PH1 1NJ", models.OrgSchool, models.UROtherUrban},
	{"Peebles High School", "Scottish Borders", "EH45 8LN", models.OrgSchool, models.URAccessibleSmallTown},
	{"Biggar Primary School", "South Lanarkshire", "ML12 6AN", models.OrgSchool, models.URAccessibleSmallTown},
	{"Linlithgow Academy", "West Lothian", "EH49 6EH", models.OrgSchool, models.URAccessibleSmallTown},
	{"Aberlady Primary School", "East Lothian", "EH32 0RB", models.OrgSchool, models.URAccessibleRural},
	{"Kinross Primary School", "Perth and Kinross", "KY13 8AT", models.OrgSchool, models.URAccessibleRural},
	{"Oban High School", "Argyll and Bute", "PA34 5TJ", models.OrgSchool, models.URRemoteSmallTown},
	{"Newton Stewart Primary School", "Dumfries and Galloway", "DG8 6JQ", models.OrgSchool, models.URRemoteSmallTown},
	{"Aboyne Academy", "Aberdeenshire", "AB34 5JN", models.OrgSchool, models.URRemoteRural},
	{"Lochgilphead Joint Campus", "Argyll and Bute", "PA31 8NE", models.OrgSchool, models.URRemoteRural},
	{"Kirkwall Grammar School", "Orkney Islands", "KW15 1QN", models.OrgSchool, models.URVeryRemoteSmallTown},
	{"Anderson High School", "Shetland Islands", "ZE1 0GQ", models.OrgSchool, models.URVeryRemoteSmallTown},
	{"Portree High School", "Highland", "IV51 9ET", models.OrgSchool, models.URVeryRemoteSmallTown},
	{"Castlebay Community School", "Na h-Eileanan Siar", "HS9 5XD", models.OrgSchool, models.URVeryRemoteRural},
	{"Tongue Primary School", "Highland", "IV27 4XB", models.OrgSchool, models.URVeryRemoteRural},
	{"Tiree High School", "Argyll and Bute", "PA77 6TX", models.OrgSchool, models.URVeryRemoteRural},
	{"Edinburgh College", "City of Edinburgh", "EH15 3DD", models.OrgCollege, models.URLargeUrban},
	{"1st Leith Scout Group", "City of Edinburgh", "EH6 6QU", models.OrgYouthGroup, models.URLargeUrban},
	{"Castlemilk Youth Complex", "Glasgow City", "G45 9AW", models.OrgYouthGroup, models.URLargeUrban},
	{"Fife Girlguiding STEM Club", "Fife", "KY7 5NR", models.OrgYouthGroup, models.UROtherUrban},
	{"Ullapool Youth Hub", "Highland", "IV26 2TH", models.OrgYouthGroup, models.URVeryRemoteSmallTown},
	{"Stornoway Coding Club", "Na h-Eileanan Siar", "HS1 2BU", models.OrgYouthGroup, models.URVeryRemoteSmallTown},
}

var ambassadorNames = []string{
	"Priya Sharma", "Callum MacLeod", "Aisha Bello", "Euan Fraser", "Mei Chen", "Rory Campbell", "Fiona Grant",
	"Tomasz Nowak", "Kirsty Robertson", "Ahmed Hassan", "Isla Murray", "Daniel Okafor", "Sophie Henderson",
	"Lewis Mackenzie", "Hannah Stewart", "Jamie Paterson", "Chloe Wilson", "Ruairidh MacDonald", "Grace Thomson", "Niamh O'Neill",
}
