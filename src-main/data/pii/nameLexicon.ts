/**
 * Word lists for the name recogniser, written for Confidant (not taken from faker, so the
 * evaluation on faker-generated names is held out): common given names and surnames (US
 * Census and ONS top lists, abbreviated), honorifics, relation words that precede a name, and
 * capitalised words that are not names in clinical text (specialties, departments, sections,
 * weekdays, months, sentence starters).
 */
const words = (s: string) =>
  new Set(
    s
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => w.toLowerCase()),
  );

export const GIVEN_NAMES = words(`
  james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark
  donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary
  nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond
  jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle walter ethan jeremy harold keith
  christian roger noah gerald carl terry sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce albert
  willie gabriel logan alan juan wayne roy ralph randy eugene vincent russell elijah louis bobby philip johnny
  mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra ashley
  kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura cynthia kathleen
  amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra rachel catherine carolyn
  janet ruth maria heather diane virginia julie joyce victoria olivia kelly christina lauren joan evelyn judith megan
  cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara janice jean alice madison doris abigail
  julia judy grace denise amber marilyn beverly danielle theresa sophia marie diana brittany natalie isabella charlotte
  rose alexis kayla oliver harry amelia isla ava mia ella lily freya chloe sophie poppy jacob liam lucas mason
  mohammed muhammad ahmed ali fatima aisha priya raj wei li chen mei yuki hiroshi
`);

export const SURNAMES = words(`
  smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson anderson
  thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker young
  allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter
  roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers
  gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez
  wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez
  powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales fisher vasquez simmons romero
  jordan patterson alexander hamilton graham reynolds griffin wallace moreno west cole hayes bryant herrera gibson
  ellis tran medina aguilar stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington
  kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson porter hunter gordon mendez
  silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose stone salazar fox
  warren mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver ryan gardner payne grant dunn
`);

export const HONORIFICS = [
  'Mr',
  'Mrs',
  'Ms',
  'Miss',
  'Mx',
  'Dr',
  'Prof',
  'Sr',
  'Sra',
  'Herr',
  'Frau',
  'Mme',
  'Mlle',
  'M',
  'Mister',
  'Doctor',
  'Professor',
  'Fr',
  'Father',
  'Rev',
  'Sister',
  'Nurse',
  'Sgt',
  'Capt',
];

export const NAME_LABELS = [
  'Name',
  'Patient name',
  'Patient',
  'Pt',
  'Re',
  'Attending',
  'Attending physician',
  'Physician',
  'Surgeon',
  'Consultant',
  'Signed',
  'Signed by',
  'Dictated by',
  'Seen by',
  'Referred by',
  'Referring physician',
  'Contact',
  'Next of kin',
  'Emergency contact',
  'Carer',
  'Caller',
  'Informant',
  'Visitor',
  'Interpreter',
  'GP',
  'Nurse',
  'the patient,',
  'Patient Name',
  'Requested by',
  'Asked by',
  'Pathologist',
  'Endoscopist',
  'Radiologist',
  'Reading physician',
  'Admitting physician',
  'Electronically signed by',
  'Anesthesiologist',
  'Anaesthetist',
  'Spoke to',
  'Spoke with',
  'Handoff given to',
  'Handover to',
  'Handover from',
  'Handover given to',
  'Taken over from',
  'Received from',
  'Handed over to',
  'Given to',
  'Dear',
];

/** Labels that introduce a name only with a colon ("To: Dr …", "Resident: …"). */
export const COLON_LABELS = [
  'To',
  'From',
  'Cc',
  'Provider',
  'Client',
  'Member',
  'Subscriber',
  'Mother',
  'Father',
  'Resident',
  'Assistant',
  'Requesting',
  'Admitting',
  'Guardian',
  'Therapist',
  'PCP',
  'Parent',
  'Owner',
];

export const RELATIONS = [
  'daughter',
  'son',
  'wife',
  'husband',
  'sister',
  'brother',
  'mother',
  'father',
  'niece',
  'nephew',
  'partner',
  'spouse',
  'friend',
  'carer',
  'caregiver',
  'granddaughter',
  'grandson',
  'neighbour',
  'neighbor',
  'guardian',
  'mom',
  'mum',
  'dad',
  'aunt',
  'uncle',
  'cousin',
  'grandmother',
  'grandfather',
  'grandma',
  'grandpa',
  'stepson',
  'stepdaughter',
  'son-in-law',
  'daughter-in-law',
  'fiancé',
  'fiancée',
  'fiance',
  'boyfriend',
  'girlfriend',
  'ex-partner',
  'ex-husband',
  'ex-wife',
  'staff member',
  'roommate',
  'landlord',
  'chaplain',
  'caller',
  'godson',
  'goddaughter',
];

/** Verbs that, right after a capitalised word, suggest the word is a person. */
export const PERSON_VERBS = words(`
  was is has had understands understood reports reported denies denied presented presents came comes will agreed
  agrees tolerated tolerates states stated complains complained was's returned returns remains remained feels felt
  lives lived declined declines attended attends consented consents settled slept ate mobilised mobilized walked
  became become appears appeared seems seemed looks looked remains says said asked asks wants wanted needs needed
`);

/**
 * Words that, right after a capitalised sequence, make it an eponym, a scale or a place
 * ("Glasgow Coma Scale", "Whipple procedure", "Addenbrooke Hospital") rather than a person.
 */
export const EPONYM_HEADS = words(`
  scale score index criteria classification grade sign signs test testing tests reflex manoeuvre maneuver
  syndrome disease diseases disorder procedure operation repair fracture catheter tube line pupil pupils
  lymphoma sarcoma tumour tumor palsy phenomenon effect law rule ward unit hospital clinic centre center
  infirmary institute building wing house road street avenue method technique position stocking stockings
`);

/** Capitalised words that are not names in clinical text. */
export const NOT_NAMES = words(`
  the a an and or of in on at to for with by from as is was he she they his her their it this that these those we i
  what which who whom whose when where why how there here also after before during while if then but so not all any
  summarise summarize describe list explain give tell
  you patient patients pt mr mrs ms dr prof md do rn np pa phd
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
  september october november december jan feb mar apr jun jul aug sep sept oct nov dec
  progress note notes discharge summary admission admitted discharged history hospital course plan assessment
  subjective objective impression diagnosis diagnoses medications medication allergies allergy labs lab vital vitals
  signs exam examination review systems social family past medical surgical procedures procedure results findings
  follow followup follow-up continue continued start started stop stopped home return dear re yours sincerely thank
  thanks please regards kind best signed attending physician surgeon consultant nurse name address phone email fax
  telephone tel mobile date dob mrn ssn insurance member id billing account policy plan number no record medical
  emergency department clinic ward unit service team multidisciplinary general internal medicine surgery cardiology
  neurology oncology radiology pathology pediatrics paediatrics psychiatry orthopedics orthopaedics dermatology
  urology nephrology gastroenterology endocrinology pulmonology respiratory rheumatology hematology haematology
  geriatrics obstetrics gynecology gynaecology icu ed er or pacu intensive care critical primary community physical
  occupational speech therapy therapist social work worker pharmacy pharmacist dietitian nutrition rehabilitation
  chest x-ray xray ct mri ecg ekg echo echocardiogram ultrasound scan abdomen pelvis head neck spine brain heart lung
  lungs liver kidney blood urine culture contrast left right bilateral anterior posterior no yes none normal
  abnormal positive negative stable unstable acute chronic grade stage type class nyha copd chf cad ckd dm htn afib
  uti mi cva tia dvt pe covid hiv hb hgb wbc crp bp hr rr spo2 temp bmi a/p s o a p non-smoker smoker alcohol
  implanted pacemaker device serial portal patient's hospital's university medical center centre health system
  care trust nhs foundation st saint general county memorial regional royal infirmary
  he's she's today yesterday tomorrow morning evening night week weeks month months year years day days
  north south east west street avenue road lane drive court boulevard
`);
