package io.prefork.sample.clinic;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;

@Entity
@Table(name = "clinic_pets")
public class Pet {

	@Id
	private Integer id;

	private String name;

	@Column(name = "birth_date")
	private LocalDate birthDate;

	@ManyToOne(fetch = FetchType.LAZY)
	@JoinColumn(name = "type_id")
	private PetType type;

	@ManyToOne(fetch = FetchType.LAZY)
	@JoinColumn(name = "owner_id")
	private Owner owner;

	@OneToMany(mappedBy = "pet")
	@OrderBy("date DESC")
	private List<Visit> visits = new ArrayList<>();

	protected Pet() {
	}

	public Integer getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

	public LocalDate getBirthDate() {
		return this.birthDate;
	}

	public PetType getType() {
		return this.type;
	}

	public Owner getOwner() {
		return this.owner;
	}

	public List<Visit> getVisits() {
		return this.visits;
	}

}
