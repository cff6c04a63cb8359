package dev.eventstore.testing.scenarios;

/** {@link ParallelA}'s test, in a class of its own: its own class context, so its own schema. */
public class ParallelB extends ParallelA {
}
