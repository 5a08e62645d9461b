package io.statusstream.example;

import io.statusstream.spring.StatusStreams;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.security.Principal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The bot API next to the streams: who am I, my bots, start and stop, and (for operators) giving a bot away. */
@RestController
@RequestMapping("/api/v1")
class BotController {

    private final BotRepository bots;
    private final StatusStreams streams;
    private final Clock clock;

    BotController(BotRepository bots, StatusStreams streams, Clock clock) {
        this.bots = bots;
        this.streams = streams;
        this.clock = clock;
    }

    /** The user, and the CSRF cookie that the pages' POSTs need (rendering the token sets it). */
    @GetMapping("/me")
    Map<String, String> me(Principal principal, CsrfToken csrf) {
        csrf.getToken();
        return Map.of("name", principal.getName());
    }

    @GetMapping("/bots")
    List<BotConfig> myBots(Principal principal) {
        return bots.findByOwner(principal.getName());
    }

    @GetMapping("/bots/{id}")
    BotConfig bot(@PathVariable long id, Principal principal) {
        return owned(id, principal);
    }

    @PostMapping("/bots/{id}/start")
    Map<String, String> start(@PathVariable long id, Principal principal) {
        return setStatus(owned(id, principal), "running");
    }

    @PostMapping("/bots/{id}/stop")
    Map<String, String> stop(@PathVariable long id, Principal principal) {
        return setStatus(owned(id, principal), "stopped");
    }

    /**
     * An operator gives a bot to another user. The streams watching it are checked again at once: its former owner's
     * open pages drop it live (a {@code revoked} event), without waiting for the periodic re-check.
     */
    @PostMapping("/bots/{id}/owner")
    Map<String, String> transfer(@PathVariable long id, @RequestParam String to, HttpServletRequest request) {
        if (!request.isUserInRole("OPERATOR")) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "only an operator gives bots away");
        }
        if (!bots.transfer(id, to)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no bot " + id);
        }
        streams.recheckAccess("bots", List.of(id));
        return Map.of("owner", to);
    }

    private Map<String, String> setStatus(BotConfig bot, String status) {
        if (!bots.updateStatus(bot.id(), status, OffsetDateTime.now(clock))) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "bot " + bot.id() + " has no state yet");
        }
        // Our own write: push it now rather than at the next poll.
        streams.get("bots").touch(List.of(bot.id()));
        return Map.of("status", status);
    }

    private BotConfig owned(long id, Principal principal) {
        BotConfig bot = bots.findById(id)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no bot " + id));
        if (!bot.owner().equals(principal.getName())) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "bot " + id + " is not yours");
        }
        return bot;
    }
}
