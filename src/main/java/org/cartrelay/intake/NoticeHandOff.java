package org.cartrelay.intake;

/**
 * Where an accepted notice goes instead of the store, when the intake and the store are decoupled (the Kafka intake
 * mode): the notice is durable there once {@link #handOver} returns, and processors write it to the store later.
 */
public interface NoticeHandOff {

    /**
     * Keeps the notice durably and returns the id it will be stored under; throws {@link Unavailable} when it could
     * not be kept. A repeat is recognized only when it is stored, so it gets an id of its own here.
     */
    IntakeService.Receipt handOver(Notice notice);

    /** The notice could not be handed over; nothing was kept and the sender is asked to retry (503). */
    class Unavailable extends RuntimeException {

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
