package org.cartrelay.ops;

/**
 * {@code cartrelay:type=Hub}: intake and lifecycle figures; docs/operations.md lists them. {@code SinceStart}: counted
 * in this instance's memory since it started; {@code Stored}: read from the database, all instances.
 */
public interface HubControlMBean {

    /** Notices this instance accepted since start. */
    long getAcceptedSinceStart();

    /** Notices this instance rejected (stored but unusable) or refused (bad signature or input) since start. */
    long getRejectedSinceStart();

    /** Notices this instance found to be duplicates since start. */
    long getDuplicatesSinceStart();

    /** Checkouts waiting for their abandonment delay, from the database. */
    long getPendingCheckoutsStored();

    /** Checkouts ever abandoned, from the database. */
    long getAbandonedStored();

    /** Checkouts recovered, from the database. */
    long getRecoveredStored();

    /** This instance's id, the one its lease tokens carry. */
    String getInstanceId();

    /**
     * The instances on this database as of the last heartbeat, running ones first: each "id state host pid
     * heartbeatAt", state being running, stopped or gone.
     */
    String[] getInstances();
}
