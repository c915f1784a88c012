/**
 * Capitalised words in clinical text that are not identifiers but are missing from a general
 * English word list: drug names (generic stems are caught by their suffixes), brands of drugs,
 * devices, payers, pharmacies and cars, eponyms of diseases, signs and scales, clinical
 * abbreviations written in title case, languages and nationalities. Together with the English
 * word list (resources/wordlists) they form the safe list of the name recogniser: Philter
 * (Norgeot et al., "Protected Health Information filter (Philter)", npj Digital Medicine 3:57,
 * 2020) flags every word that is not known to be safe; this is the same idea restricted to
 * capitalised words.
 */
const words = (s: string) =>
  new Set(
    s
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => w.toLowerCase()),
  );

/** Suffixes of drug stems (WHO INN stems) and clinical terms (at least 7 letters); names almost never end so. */
export const CLINICAL_SUFFIX =
  /^\p{L}{3,}(?:itis|osis|ectomy|otomy|ostomy|plasty|scopy|graphy|gram|emia|aemia|uria|pathy|algia|ology|ologist|mab|tinib|pril|sartan|olol|alol|statin|azole|cillin|mycin|micin|floxacin|cycline|prazole|tidine|dipine|parin|xaban|gatran|gliptin|gliflozin|glutide|formin|lukast|terol|olone|afil|triptan|azepam|zolam|oxetine|apine|idone|navir|platin|taxel|rubicin|lamide|thiazide|semide|nidine|sterone|caine|onium|curium|pramine|triptyline|profen|fenac|coxib|codone|morphone|phylline|dronate|conazole|fungin|bactam|penem|oid|oids|scopic|scopically|ectomies|grams|prost|listhesis|lysis|plegia|paresis|trophy|megaly|rrhea|rrhage|stomy|tomy|cele|cyte|cytes|blast|blasts|philia|phobia|ptysis|pnea|kinesia|esthesia|tropin|kinase)$/iu;

export const CLINICAL_WORDS = words(`
  acetaminophen paracetamol tylenol advil motrin aleve aspirin ibuprofen naproxen morphine oxycodone hydrocodone
  tramadol fentanyl dilaudid norco percocet vicodin narcan naloxone lasix furosemide bumex torsemide coumadin
  warfarin eliquis xarelto pradaxa plavix brilinta lipitor crestor zocor synthroid levothyroxine metformin glucophage
  januvia jardiance farxiga ozempic trulicity victoza mounjaro lantus humalog novolog levemir tresiba basaglar
  insulin detemir glargine lispro aspart lisinopril losartan amlodipine norvasc metoprolol lopressor toprol
  carvedilol coreg atenolol hydrochlorothiazide hctz spironolactone aldactone digoxin amiodarone diltiazem
  cardizem verapamil hydralazine nitroglycerin entresto prednisone prednisolone solumedrol medrol decadron
  dexamethasone albuterol ventolin proair salbutamol ipratropium atrovent spiriva symbicort advair flovent singulair
  montelukast zithromax azithromycin augmentin amoxicillin keflex cephalexin cefazolin ceftriaxone rocephin zosyn
  vancomycin vanc levaquin levofloxacin cipro ciprofloxacin bactrim flagyl metronidazole doxycycline nitrofurantoin
  macrobid diflucan fluconazole tamiflu paxlovid remdesivir zoloft sertraline prozac fluoxetine lexapro
  escitalopram celexa citalopram paxil wellbutrin bupropion effexor venlafaxine cymbalta duloxetine trazodone
  remeron mirtazapine seroquel quetiapine zyprexa olanzapine risperdal risperidone abilify aripiprazole haldol
  haloperidol ativan lorazepam xanax alprazolam klonopin clonazepam valium diazepam ambien zolpidem melatonin
  gabapentin neurontin lyrica pregabalin keppra levetiracetam depakote dilantin phenytoin lamictal lamotrigine
  tegretol topamax sinemet carbidopa levodopa aricept donepezil namenda memantine protonix pantoprazole nexium
  prilosec omeprazole pepcid famotidine zofran ondansetron reglan metoclopramide miralax senna colace docusate
  dulcolax bisacodyl lactulose imodium loperamide heparin lovenox enoxaparin methotrexate humira enbrel remicade
  keytruda opdivo herceptin rituxan rituximab chop cytoxan tamoxifen letrozole arimidex xeloda gleevec revlimid
  oxybutynin flomax tamsulosin finasteride proscar viagra cialis potassium magnesium calcium vitamin thiamine
  folate ferrous iron kcl epo procrit neulasta tpa alteplase tenecteplase
  medtronic boston abbott zio holter foley picc hickman port-a-cath groshong bipap cpap tracheostomy peg
  walgreens cvs rite riteaid costco walmart kroger boots bluecross blueshield anthem aetna cigna humana kaiser
  medicare medicaid tricare ohip ramq msp nhs unitedhealthcare optum
  honda toyota nissan ford chevrolet chevy civic camry corolla accord prius subaru jeep tesla volkswagen vw bmw audi
  mercedes kia hyundai mazda volvo dodge ram silverado tacoma f-150 escape focus fusion outback leaf
  parkinson parkinson's alzheimer alzheimer's crohn crohn's hashimoto hashimoto's cushing cushing's addison addison's
  graves graves' barrett barrett's chiari murphy murphy's whipple whipple's glasgow apgar deauville wolff
  wolff-parkinson-white bell bell's raynaud raynaud's sjogren sjögren sjögren's guillain guillain-barre
  guillain-barré barré kawasaki marfan down down's tourette tourette's huntington huntington's hodgkin hodgkin's
  non-hodgkin wilms kaposi epstein epstein-barr hirschsprung meniere meniere's ménière paget paget's pott dupuytren
  baker baker's colles smith's babinski romberg kernig brudzinski homan homans trendelenburg valsalva heimlich
  gleason breslow clark nyha killip wells child-pugh pugh meld ranson bishop braden morse karnofsky ecog mallampati
  kussmaul cheyne-stokes cheyne korotkoff korsakoff wernicke wernicke's broca broca's lyme tinel phalen finkelstein
  lachman mcmurray mcburney rovsing troponin bnp nt-probnp a1c hba1c inr ptt aptt tsh ldl hdl alt ast alp ggt ldh
  fio2 peep spo2 etco2 nihss gcs gfr egfr cbc bmp cmp abg vbg ua ucx bcx
  english spanish french german italian portuguese mandarin cantonese chinese vietnamese korean japanese tagalog
  arabic hindi urdu punjabi bengali russian polish ukrainian somali amharic swahili haitian creole farsi persian
  american canadian british irish scottish welsh mexican african asian hispanic latino latina caucasian
  christmas thanksgiving easter ramadan covid covid-19 sars-cov-2 mrsa vre c-diff cdiff
  nonsmoker non-smoker afebrile normocephalic atraumatic ambulatory ambulating nontender nondistended
  multiplanar multisequence spirometry echocardiography telemetry tachycardic bradycardic hypotensive
  hypertensive diaphoretic euvolemic hypervolemic hypovolemic normotensive dyspneic orthopneic
  pt pts ptt hpi ros pmh psh fh sh meds rx dx tx sx hx fx cc a&ox3 aox3 nad wnl nkda nka prn bid tid qid qhs qd
  po iv im sq sl npo dnr dni hcp poa picu nicu sicu micu ccu rehab snf ltach hospice palliative
  impression findings technique comparison indication recommendation recommendations disposition
  ed triage hd ecmo crrt cabg pci stemi nstemi tavr ercp egd eus tee tte cxr kub
  hello hi dear thanks thank regards sincerely cheers
  handoff handover recs telehealth telemedicine sigmoid laparoscopic endoscopic arthroscopic
  postop post-op preop pre-op intraop periop abx hosp bilat hemodynamically tachypneic febrile
  nondiabetic nonischemic noncontrast unenhanced hyperdense hypodense hyperechoic hypoechoic
  isoechoic anechoic radiopaque radiolucent subcentimeter subsegmental perihilar peribronchial
  pneumoperitoneum pneumomediastinum hydronephrosis cardiomegaly atelectasis
  neuro psych ortho cardio gastro gyn uro derm rheum onc heme endo pulm nephro peds obgyn
  dexa pap mammo mammogram colonoscopy polypectomy
  zyrtec benadryl toradol flonase claritin allegra tums senokot sulfa tdap dtap shingrix zostavax prevnar pneumovax
  gardasil fluzone flumist comirnaty spikevax bcg mmr ppd quantiferon tylenol#3 ultram robaxin flexeril soma
  neurontin mobic celebrex voltaren lidoderm biofreeze aspercreme excedrin fioricet imitrex maxalt nurtec ubrelvy
  aimovig emgality botox depo-provera nexplanon mirena paragard yaz loestrin premarin estrace provera clomid
  metamucil citrucel fibercon gaviscon maalox mylanta carafate bentyl librax linzess amitiza xifaxan creon
  lomotil pedialyte gatorade ensure boost glucerna nepro jevity osmolite peptamen
  lantus toujeo humulin novolin ozempic rybelsus wegovy saxenda trulicity byetta glipizide glyburide actos avandia
  invokana steglatro tradjenta onglyza janumet synjardy xigduo
  norvasc procardia zestril prinivil vasotec altace diovan cozaar benicar micardis avapro hyzaar bystolic inderal
  tenormin catapres minipress cardura hytrin imdur isordil ranexa multaq tikosyn betapace sotalol pletal
  zetia vytorin tricor lopid niaspan lovaza vascepa repatha praluent
  singulair breo trelegy anoro incruse stiolto dulera qvar pulmicort alvesco xopenex duoneb combivent daliresp
  prednisone medrol kenalog depo-medrol solu-medrol solu-cortef cortef florinef
  zoloft prozac paxil celexa lexapro effexor pristiq cymbalta wellbutrin remeron trintellix viibryd buspar vistaril
  atarax hydroxyzine seroquel zyprexa risperdal abilify geodon latuda vraylar rexulti invega clozaril lithobid
  depakote lamictal tegretol trileptal topamax zonegran vimpat briviact onfi ativan xanax klonopin valium restoril
  ambien lunesta sonata belsomra rozerem adderall ritalin concerta vyvanse focalin strattera intuniv suboxone
  subutex sublocade vivitrol methadone chantix nicorette nicoderm campral antabuse
  cipro levaquin avelox bactrim keflex augmentin zithromax biaxin doxy minocin macrobid monurol flagyl
  diflucan valtrex famvir zovirax tamiflu xofluza plaquenil arava otezla stelara cosentyx taltz skyrizi tremfya
  dupixent xolair nucala fasenra orencia actemra xeljanz rinvoq olumiant cimzia simponi entyvio
  eliquis xarelto pradaxa savaysa coumadin jantoven lovenox arixtra heparin plavix effient brilinta aggrenox
  lasix bumex demadex aldactone inspra microzide dyazide maxzide diamox
  synthroid levoxyl unithroid armour cytomel tapazole ptu
  flomax uroxatral rapaflo proscar avodart detrol ditropan vesicare myrbetriq gemtesa pyridium
  prilosec nexium protonix aciphex dexilant prevacid pepcid zantac reglan zofran phenergan compazine
  tigan scopolamine transderm marinol dronabinol
  aricept namenda razadyne exelon sinemet rytary mirapex requip azilect neupro
  oxycontin percocet vicodin norco dilaudid ms-contin kadian nucynta ultram butrans duragesic
  narcan evzio epipen auvi-q glucagon baqsimi gvoke
  latanoprost xalatan lumigan travatan timoptic cosopt combigan alphagan azopt trusopt restasis xiidra
  epic mychart cerner powerchart meditech allscripts athena athenahealth eclinicalworks pyxis omnicell dragon
  dynamap hoyer posey purewick mepilex allevyn tegaderm duoderm aquacel xeroform vaseline steri-strips dermabond
  hospitalist intensivist nocturnist spondylolisthesis foraminal neuroforaminal abd ext heent perrla eomi ctab
  rrr jvd ntnd snellen humphrey ishihara amsler
`);
