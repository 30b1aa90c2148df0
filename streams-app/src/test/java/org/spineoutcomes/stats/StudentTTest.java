package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StudentTTest {

    @Test
    void publishedQuantiles() {
        // t(0.975) from standard tables (e.g. NIST/SEMATECH e-Handbook, Table of t critical values).
        assertEquals(2.228138851986273, StudentT.quantile975(10), 1e-13);
        assertEquals(2.042272456301238, StudentT.quantile975(30), 1e-13);
        assertEquals(1.983971518523551, StudentT.quantile975(100), 1e-13);
        assertEquals(2.570581835636314, StudentT.quantile975(5), 1e-13);
    }

    @Test
    void halleyAgreesWithTheBracketingSolverOnFractionalDf() {
        // Welch df are fractional; Halley from Cornish-Fisher must give what Hipparchus' solver gives.
        double worst = 0;
        for (double df = 1; df < 5000; df = df * 1.037 + 0.0113) {
            double newton = StudentT.solve(df);
            double reference = StudentT.bracketed(df);
            worst = Math.max(worst, Math.abs(newton - reference) / reference);
        }
        assertTrue(worst < 1e-13, "largest relative difference " + worst);
    }

    @Test
    void cornishFisherStartIsClose() {
        // Four terms: within 1e-3 of the quantile from df 3 on, so Halley settles in one or two steps.
        assertEquals(StudentT.bracketed(3), StudentT.cornishFisher(3), 1e-2);
        assertEquals(StudentT.bracketed(20), StudentT.cornishFisher(20), 1e-5);
    }
}
