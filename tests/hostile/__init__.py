"""Hostile: the hostile corpus (its case files in cases/), hostile source trees and the input limits."""
