package org.spineoutcomes.producer.fhir;

import java.util.Map;
import java.util.Optional;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.VertebralLevel;

/**
 * The code systems, codes and extensions the gateway understands (its FHIR R4 profile; see the README).
 * Standard codes where they exist (CPT, SNOMED CT, LOINC, DICOM, ATC); project codes where none does.
 */
public final class FhirProfile {
    private FhirProfile() {}

    public static final String CPT = "http://www.ama-assn.org/go/cpt";
    public static final String SNOMED = "http://snomed.info/sct";
    public static final String LOINC = "http://loinc.org";
    public static final String DICOM = "http://dicom.nema.org/resources/ontology/DCM";
    public static final String ATC = "http://www.whocc.no/atc";
    public static final String ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm";
    public static final String UCUM = "http://unitsofmeasure.org";

    private static final String BASE = "https://spineoutcomes.org/fhir/";
    /** Project code system for conservative-care components: analgesia, bracing, physiotherapy, bed-rest. */
    public static final String CONSERVATIVE_CARE = BASE + "CodeSystem/conservative-care";
    /** Project code system for radiographic measurements: vertebral-morphometry and its components. */
    public static final String SPINE_MEASURE = BASE + "CodeSystem/spine-measure";
    /** Project code system of the OperationOutcome reason codes (= ReasonCode names). */
    public static final String REASON = BASE + "CodeSystem/rejection-reason";
    /** Extension on ImagingStudy: valueCode PRE | POST | FOLLOW_UP. */
    public static final String EXT_IMAGING_PHASE = BASE + "StructureDefinition/imaging-phase";
    /** Extension on Procedure: valueQuantity, total PMMA cement in mL. */
    public static final String EXT_CEMENT_VOLUME = BASE + "StructureDefinition/cement-volume";
    /** Extension on Procedure: valueDate, date of fracture onset. */
    public static final String EXT_FRACTURE_ONSET = BASE + "StructureDefinition/fracture-onset-date";

    public static final String LOINC_PAIN_NRS = "72514-3";
    public static final String LOINC_ODI = "97909-6";
    public static final String MORPHOMETRY = "vertebral-morphometry";
    public static final String ANTERIOR_HEIGHT = "anterior-height";
    public static final String MIDDLE_HEIGHT = "middle-height";
    public static final String POSTERIOR_HEIGHT = "posterior-height";
    public static final String KYPHOTIC_ANGLE = "kyphotic-angle";
    public static final String FRACTURED = "fractured";

    /** SNOMED CT "Percutaneous vertebroplasty" and "Percutaneous kyphoplasty" (procedure). */
    public static final String SNOMED_VERTEBROPLASTY = "392010000";
    public static final String SNOMED_KYPHOPLASTY = "429616001";

    /** SNOMED CT body structures of the vertebrae T1-L5 (DICOM CID 7603 "Vertebra"). */
    private static final Map<String, VertebralLevel> VERTEBRAE = Map.ofEntries(
            Map.entry("64864005", VertebralLevel.T1), Map.entry("53733008", VertebralLevel.T2),
            Map.entry("1626008", VertebralLevel.T3), Map.entry("73071006", VertebralLevel.T4),
            Map.entry("56401006", VertebralLevel.T5), Map.entry("45296009", VertebralLevel.T6),
            Map.entry("62487009", VertebralLevel.T7), Map.entry("11068009", VertebralLevel.T8),
            Map.entry("82687006", VertebralLevel.T9), Map.entry("7610001", VertebralLevel.T10),
            Map.entry("12989004", VertebralLevel.T11), Map.entry("23215003", VertebralLevel.T12),
            Map.entry("66794005", VertebralLevel.L1), Map.entry("14293000", VertebralLevel.L2),
            Map.entry("36470004", VertebralLevel.L3), Map.entry("11994002", VertebralLevel.L4),
            Map.entry("49668003", VertebralLevel.L5));

    public static Optional<VertebralLevel> vertebra(String snomedCode) {
        return Optional.ofNullable(snomedCode == null ? null : VERTEBRAE.get(snomedCode.trim()));
    }

    /** The SNOMED code of a level (for building resources, e.g. in tests and samples). */
    public static String snomedOf(VertebralLevel level) {
        return VERTEBRAE.entrySet().stream().filter(e -> e.getValue() == level).findFirst().orElseThrow().getKey();
    }

    /** DICOM modality codes: CR and DX radiographs, CT, MR. */
    public static Optional<ImagingModality> modality(String dicomCode) {
        if (dicomCode == null) return Optional.empty();
        return switch (dicomCode.trim()) {
            case "CR", "DX" -> Optional.of(ImagingModality.RADIOGRAPH);
            case "CT" -> Optional.of(ImagingModality.CT);
            case "MR" -> Optional.of(ImagingModality.MRI);
            default -> Optional.empty();
        };
    }

    /** ATC codes of osteoporosis medication (WHO ATC index: M05B, H05AA, G03XC, A12A, A11CC). */
    public static Optional<MedicationClass> medication(String atcCode) {
        if (atcCode == null) return Optional.empty();
        String c = atcCode.trim().toUpperCase();
        if (c.startsWith("M05BA") || c.startsWith("M05BB")) return Optional.of(MedicationClass.BISPHOSPHONATE);
        if (c.equals("M05BX04")) return Optional.of(MedicationClass.DENOSUMAB);
        if (c.equals("M05BX06")) return Optional.of(MedicationClass.ROMOSOZUMAB);
        if (c.equals("H05AA02")) return Optional.of(MedicationClass.TERIPARATIDE);
        if (c.equals("H05AA04")) return Optional.of(MedicationClass.ABALOPARATIDE);
        if (c.equals("G03XC01")) return Optional.of(MedicationClass.RALOXIFENE);
        if (c.startsWith("A12AA") || c.startsWith("A12AX")) return Optional.of(MedicationClass.CALCIUM);
        if (c.startsWith("A11CC")) return Optional.of(MedicationClass.VITAMIN_D);
        if (c.startsWith("M05")) return Optional.of(MedicationClass.OTHER);
        return Optional.empty();
    }
}
