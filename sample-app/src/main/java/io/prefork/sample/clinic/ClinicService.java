package io.prefork.sample.clinic;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads the owners' object graph in a read-only transaction and hands the templates plain
 * view records, the way a service layer does when open-session-in-view is off.
 */
@Service
@Profile("realistic")
public class ClinicService {

	private final OwnerRepository owners;

	private final VisitRepository visits;

	ClinicService(OwnerRepository owners, VisitRepository visits) {
		this.owners = owners;
		this.visits = visits;
	}

	@Transactional(readOnly = true)
	public List<OwnerRow> owners() {
		return this.owners.findAllWithPets()
			.stream()
			.map((owner) -> new OwnerRow(owner.getId(), owner.getFirstName() + " " + owner.getLastName(),
					owner.getAddress(), owner.getCity(), owner.getTelephone(),
					owner.getPets().stream().map(Pet::getName).collect(Collectors.joining(", ")),
					owner.getPets().size()))
			.toList();
	}

	@Transactional(readOnly = true)
	public Optional<OwnerDetail> owner(int id) {
		return this.owners.findWithPets(id).map((owner) -> {
			Map<Integer, List<VisitRow>> visitsByPet = this.visits.findByOwner(id)
				.stream()
				.collect(Collectors.groupingBy((visit) -> visit.getPet().getId(),
						Collectors.mapping((visit) -> new VisitRow(visit.getDate(), visit.getDescription()),
								Collectors.toList())));
			List<PetRow> pets = owner.getPets()
				.stream()
				.sorted(Comparator.comparing(Pet::getName))
				.map((pet) -> new PetRow(pet.getName(), pet.getBirthDate(), pet.getType().getName(),
						visitsByPet.getOrDefault(pet.getId(), List.of())))
				.toList();
			return new OwnerDetail(owner.getId(), owner.getFirstName(), owner.getLastName(), owner.getAddress(),
					owner.getCity(), owner.getTelephone(), pets);
		});
	}

	public record OwnerRow(int id, String name, String address, String city, String telephone, String pets,
			int petCount) {
	}

	public record OwnerDetail(int id, String firstName, String lastName, String address, String city,
			String telephone, List<PetRow> pets) {
	}

	public record PetRow(String name, LocalDate birthDate, String type, List<VisitRow> visits) {
	}

	public record VisitRow(LocalDate date, String description) {
	}

}
