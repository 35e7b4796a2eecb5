package io.prefork.sample.clinic;

import java.time.LocalDate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

@Entity
@Table(name = "clinic_visits")
public class Visit {

	@Id
	private Integer id;

	@Column(name = "visit_date")
	private LocalDate date;

	private String description;

	@ManyToOne(fetch = FetchType.LAZY)
	@JoinColumn(name = "pet_id")
	private Pet pet;

	protected Visit() {
	}

	public Integer getId() {
		return this.id;
	}

	public LocalDate getDate() {
		return this.date;
	}

	public String getDescription() {
		return this.description;
	}

	public Pet getPet() {
		return this.pet;
	}

}
