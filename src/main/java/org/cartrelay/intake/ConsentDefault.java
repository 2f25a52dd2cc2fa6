package org.cartrelay.intake;

import org.cartrelay.event.Consent;

/**
 * What a source's notice means for newsletter consent when it says nothing about it: {@code none} (no consent, the
 * default), or {@code newsletter} for shops that collect consent elsewhere, at checkout, before sending. A notice
 * that does say (yes or no) is taken as it says.
 */
public enum ConsentDefault {
    NONE,
    NEWSLETTER;

    /** The notice's consent: what it said, else this default (null for none when the source had none either). */
    public Consent apply(Consent given) {
        if (given != null && given.newsletter() != null) {
            return given;
        }
        return this == NEWSLETTER ? new Consent(true) : given;
    }
}
