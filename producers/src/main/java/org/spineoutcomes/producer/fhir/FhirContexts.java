package org.spineoutcomes.producer.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;

/** The one R4 FhirContext of the process (expensive to build: about 2 s). */
public final class FhirContexts {
    private FhirContexts() {}

    private static final class Holder {
        static final FhirContext R4 = FhirContext.forR4();
    }

    public static FhirContext r4() {
        return Holder.R4;
    }

    /** A strict JSON parser: unknown elements and values of the wrong type are errors, not warnings. */
    public static IParser strictJsonParser() {
        return r4().newJsonParser().setParserErrorHandler(new StrictErrorHandler());
    }

    public static IParser prettyJsonWriter() {
        return r4().newJsonParser().setPrettyPrint(true);
    }
}
