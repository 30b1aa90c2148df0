package org.spineoutcomes.serde;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps the contract's registry subjects governed: each gets the compatibility level BACKWARD unless an
 * operator already chose one, so a schema of another record type (or any change the consumers could not
 * read) is refused by the registry instead of becoming the subject's next version. Called where the
 * contract's topics are created (the local stack) and by producers before they auto-register.
 */
public final class SchemaGovernance {
    private SchemaGovernance() {}

    /** The level the contract's subjects get. */
    public static final String BACKWARD = "BACKWARD";

    /**
     * Sets {@link #BACKWARD} on every subject that has no level of its own, or NONE; a subject with another
     * level (e.g. FULL_TRANSITIVE, set on purpose) is left alone. Works before a subject has any version.
     *
     * @return the subjects whose level was set
     */
    public static List<String> requireBackward(SchemaRegistryClient registry, Collection<String> subjects) {
        List<String> changed = new ArrayList<>();
        for (String subject : subjects) {
            Optional<String> level = registry.getCompatibility(subject);
            if (level.isEmpty() || level.get().trim().toUpperCase(Locale.ROOT).equals("NONE")) {
                registry.setCompatibility(subject, BACKWARD);
                changed.add(subject);
            }
        }
        return List.copyOf(changed);
    }
}
