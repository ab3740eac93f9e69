package io.github.smtproutes.webadmin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;

import io.github.smtproutes.nodes.RetryNodes;

/**
 * The JSON shape of {@code GET /smtpRoutes/nodes}: every node each multi-node SmtpRouteDelivery
 * sees in its shared retry store, with its lease, its waiting mail and who adopted it.
 */
final class NodeViews {
    private NodeViews() {
    }

    static Map<String, Object> of(Iterable<RetryNodes> all) throws MessagingException {
        List<Map<String, Object>> stores = new ArrayList<>();
        for (RetryNodes nodes : all) {
            Map<String, Object> store = new LinkedHashMap<>();
            store.put("retryRepository", nodes.layout().sharedBase());
            store.put("thisNode", nodes.layout().nodeId());
            store.put("holdsLease", nodes.holdsLease());
            store.put("lease", nodes.layout().lease().toString());
            List<Map<String, Object>> views = new ArrayList<>();
            for (RetryNodes.NodeView node : nodes.nodes()) {
                views.add(view(nodes, node));
            }
            store.put("nodes", views);
            stores.add(store);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("stores", stores);
        return view;
    }

    private static Map<String, Object> view(RetryNodes nodes, RetryNodes.NodeView node) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("nodeId", node.nodeId);
        view.put("self", node.self);
        view.put("live", node.live);
        view.put("leaseUntil", node.leaseUntil.toString());
        view.put("queue", nodes.layout().queueOf(node.nodeId));
        view.put("waiting", node.waiting);
        view.put("adoptedBy", node.adoptedBy.orElse(null));
        view.put("adoptedAt", node.adoptedAt.map(Object::toString).orElse(null));
        return view;
    }
}
