package io.github.smtproutes.tools;

import java.util.List;

/**
 * What reading a route list gave, from either form (ESA text or smtproutes.xml): the entries, or
 * the problems ({@code <source>:<line>: what}) when there are any, in which case nothing is
 * written.
 */
final class Reading {
    final List<EsaEntry> entries;
    final List<String> problems;

    Reading(List<EsaEntry> entries, List<String> problems) {
        this.entries = List.copyOf(entries);
        this.problems = List.copyOf(problems);
    }
}
